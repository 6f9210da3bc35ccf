"""Runs each template function as its own IAM role in the embedded AWS, with IAM enforced.

While ``enforced_iam()`` is active, moto authorizes every request against the identity
policies of whoever signed it. The test process itself signs as an administrator (setting up
resources and reading results is not what is tested); ``running_as(stack, function)`` makes a
role from that function's ``Policies`` in template.yaml, assumes it and has the function's
clients (``sklambda.aws``) sign with the role's credentials, as Lambda's environment would.

What moto evaluates (checked in its source, moto 5.2): an identity policy's Action and, for S3,
SQS, IAM and STS, its Resource. It matches every other service's request against Resource
"*", so the role keeps those statements' actions and drops their ARNs (template tests check
the ARNs). It evaluates no Condition of an identity policy (``kms:ViaService``,
``s3:prefix``, ``aws:SecureTransport``, ``s3:if-none-match``, ... all pass) and no resource
policy (bucket policy). Its Step Functions interpreter signs with one fixed key, which is
given administrator rights here: state machine roles are not enforced.
"""

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from moto.core import enable_iam_authentication
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from sklambda import aws
from sklambda_local.environ import environment_changed
from sklambda_local.template import LOCAL_ACCOUNT, LOCAL_REGION, LocalStack

# moto's Step Functions interpreter signs its S3, SNS and Lambda calls with these.
_INTERPRETER_KEY = ("ak", "sk")
# Services whose requests moto authorizes against the resource they name; the rest against "*".
_RESOURCE_AWARE_SERVICES = {"s3", "sqs", "iam", "sts"}
_ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@cache
def _policy_templates() -> Any:
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    return PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())


def _sam_policy_template(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """A SAM policy template (LambdaInvokePolicy, S3ReadPolicy, ...) as SAM expands it."""
    processor = _policy_templates()
    if not processor.has(name):
        raise NotImplementedError(f"{name} is neither a policy statement nor a SAM policy template")
    return dict(processor.convert(name, parameters))


def policy_statements(stack: LocalStack, logical_id: str) -> list[dict[str, Any]]:
    """The statements a function's role gets from its ``Policies`` (or a managed policy's
    document), intrinsics resolved."""
    properties = stack.properties(logical_id)
    if stack.resources[logical_id]["Type"] == "AWS::IAM::ManagedPolicy":
        return _listed(properties["PolicyDocument"]["Statement"])
    statements: list[dict[str, Any]] = []
    for policy in properties.get("Policies", []):
        if isinstance(policy, str):
            raise NotImplementedError(f"{logical_id}: managed policy {policy} is not modelled")
        if "Statement" in policy or "PolicyDocument" in policy:
            document = policy.get("PolicyDocument", policy)
        else:
            ((name, parameters),) = policy.items()
            document = stack.resolve(_sam_policy_template(name, parameters))
        statements.extend(_listed(document["Statement"]))
    return statements


def as_moto_authorizes(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements with the ARNs moto cannot compare (non-S3/SQS/IAM/STS) widened to "*"."""
    adjusted = []
    for statement in statements:
        services = {action.split(":", 1)[0] for action in _listed(statement["Action"])}
        if services & _RESOURCE_AWARE_SERVICES:
            if services - _RESOURCE_AWARE_SERVICES:
                raise ValueError(
                    f"statement mixes resource-checked and unchecked services: {services}"
                )
            adjusted.append(statement)
        else:
            adjusted.append({**statement, "Resource": "*"})
    return adjusted


@dataclass
class _Tier:
    roles: dict[str, aws.Credentials] = field(default_factory=dict)
    # Tests deliver one event to a function from several threads at once; each must find the
    # role the first one made rather than make it again.
    making_roles: threading.Lock = field(default_factory=threading.Lock)

    def credentials_for(self, name: str, statements: list[dict[str, Any]]) -> aws.Credentials:
        document = {"Version": "2012-10-17", "Statement": as_moto_authorizes(statements)}
        text = json.dumps(document, sort_keys=True)
        role_name = f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"[:64]
        with self.making_roles:
            if role_name not in self.roles:
                self.roles[role_name] = _assume_new_role(role_name, text)
            return self.roles[role_name]


def _assume_new_role(role_name: str, policy: str) -> aws.Credentials:
    """Made and assumed in moto's IAM and STS directly: building clients for these few calls
    would cost more than the rest of the tier."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = iam_backends[LOCAL_ACCOUNT]["aws"]
    role = iam.create_role(role_name, json.dumps(trust), "/", None, "", [], None)
    iam.put_role_policy(role_name, "template", policy)
    issued = sts_backends[LOCAL_ACCOUNT]["aws"].assume_role(
        LOCAL_REGION, role_name[:64], role.arn, "", 3600, ""
    )
    return aws.Credentials(issued.access_key_id, issued.secret_access_key, issued.session_token)


_active: list[_Tier] = []


def _user_with_admin_rights(name: str) -> Any:
    """An IAM user allowed everything, made in moto's IAM directly (no client to build)."""
    backend = iam_backends[LOCAL_ACCOUNT]["aws"]
    user = backend.create_user(LOCAL_REGION, name)
    backend.put_user_policy(name, "admin", json.dumps(_ADMIN_POLICY))
    return user


def _create_admin() -> dict[str, str]:
    """The test's own identity, and the key moto's Step Functions interpreter signs with."""
    backend = iam_backends[LOCAL_ACCOUNT]["aws"]
    admin = _user_with_admin_rights("sklambda-test-admin")
    key = backend.create_access_key(admin.name)
    _user_with_admin_rights("stepfunctions-interpreter")
    fixed = backend.create_access_key("stepfunctions-interpreter")
    fixed.access_key_id, fixed.secret_access_key = _INTERPRETER_KEY
    return {
        "AWS_ACCESS_KEY_ID": key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
    }


def enforcement_requested() -> bool:
    return os.environ.get("SKLAMBDA_ENFORCE_IAM", "1") != "0"


@contextmanager
def enforced_iam() -> Iterator[None]:
    """Inside a moto mock: this process signs as an administrator and moto enforces IAM.

    SKLAMBDA_ENFORCE_IAM=0 turns it off, to tell a permission failure from any other.
    """
    if not enforcement_requested():
        yield
        return
    credentials = _create_admin()
    try:
        with environment_changed(credentials, removed=["AWS_SESSION_TOKEN"]):
            _clear_clients()
            _active.append(_Tier())
            try:
                with enable_iam_authentication():
                    yield
            finally:
                _active.pop()
    finally:
        _clear_clients()


def _clear_clients() -> None:
    aws.clear_clients()


def platform_client(service: str, clients: Callable[[str], Any] = aws.client) -> Any:
    """A client that signs as the test process, for what AWS does beside a function and never
    with its role (CloudWatch Logs extracting EMF metrics, a log subscription forwarding)."""
    with aws.signing_as(None):
        return clients(service)


def running_with_policy(
    name: str, statements: list[dict[str, Any]]
) -> AbstractContextManager[None]:
    """Clients asked for inside sign as a role with these statements (when IAM is enforced)."""
    if not _active:
        return nullcontext()
    return aws.signing_as(_active[-1].credentials_for(name, statements))


def running_as(stack: LocalStack, logical_id: str) -> AbstractContextManager[None]:
    """Clients asked for inside sign as the function's role (when IAM is enforced)."""
    if not _active:
        return nullcontext()
    return running_with_policy(logical_id, policy_statements(stack, logical_id))
