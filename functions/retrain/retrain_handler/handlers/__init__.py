"""Entry modules: each exposes `lambda_handler` and only wires."""
