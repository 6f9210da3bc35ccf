"""DriftFunction and GroundTruthFunction: watch captured traffic and labelled outcomes."""
