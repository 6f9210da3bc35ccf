"""Logger, Tracer and Metrics, defined once for every function and the CLI.

Service name, namespace and log level come from the POWERTOOLS_* variables set in
the template's Globals.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()

MODEL_VERSION_DIMENSION = "ModelVersion"
MODEL_NAME_DIMENSION = "ModelName"
