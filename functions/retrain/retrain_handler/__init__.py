"""The retraining loop's functions: guard, train, evaluate, promote, report, roll back."""
