"""Logger, Tracer and Metrics, defined once for every function and the CLI.

Service name, namespace and log level come from the POWERTOOLS_* variables set in
the template's Globals.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
# AWS calls are the only I/O the functions make; patching every library X-Ray knows would
# import requests and sqlite3 into each cold start for nothing.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()

MODEL_VERSION_DIMENSION = "ModelVersion"
MODEL_NAME_DIMENSION = "ModelName"
