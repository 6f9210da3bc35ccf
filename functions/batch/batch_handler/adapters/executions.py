"""Step Functions adapter: hand a large file to the Distributed Map state machine."""

import json
from typing import Any

from botocore.exceptions import ClientError

from sklambda.storage.errors import error_code


class StateMachineStarter:
    def __init__(self, sfn: Any, state_machine_arn: str) -> None:
        self._sfn = sfn
        self._arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Execution names are unique per state machine, so a second start of the same run is
        refused by Step Functions itself; that is reported as the run already under way."""
        try:
            response = self._sfn.start_execution(
                stateMachineArn=self._arn, name=name, input=json.dumps(payload, default=str)
            )
        except ClientError as error:
            if error_code(error) == "ExecutionAlreadyExists":
                return self._arn.replace(":stateMachine:", ":execution:") + f":{name}"
            raise
        return str(response["executionArn"])
