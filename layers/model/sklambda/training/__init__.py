"""Training: read data, fit the pipeline, measure it on a holdout, package the artifact."""
