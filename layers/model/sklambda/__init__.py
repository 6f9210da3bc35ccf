"""sklambda: serve, score, watch and retrain a scikit-learn model on AWS Lambda.

This package is the Lambda layer: it names nothing outside itself. Publishing a model from a
notebook lives with the command line (`from sklambda_cli import publish_model`).
"""
