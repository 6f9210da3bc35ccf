"""Everything sklambda keeps in its bucket: where each object lives (``keys``), how S3 faults
are told apart (``errors``), conditional object reads and writes (``objects``) and the one
lease lock built on them (``lock``)."""
