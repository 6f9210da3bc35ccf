"""The prediction API's contract: its bodies, routes and OpenAPI document.

PredictFunction serves them; `sklambda openapi` writes the same document without the function.
"""
