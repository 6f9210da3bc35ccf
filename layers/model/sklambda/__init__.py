"""sklambda: serve, score, watch and retrain a scikit-learn model on AWS Lambda."""
