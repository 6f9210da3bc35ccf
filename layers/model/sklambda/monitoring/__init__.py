"""Monitoring runtime shared by the functions: training baselines and data capture."""
