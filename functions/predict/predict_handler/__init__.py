"""PredictFunction: real-time predictions behind API Gateway."""
