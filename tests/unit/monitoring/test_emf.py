"""EMF lines become put_metric_data data, one datum per dimension set."""

import json

from sklambda_local.emf import metric_data_from_emf


def test_each_dimension_set_of_an_emf_line_becomes_its_own_datum():
    line = json.dumps(
        {
            "_aws": {
                "Timestamp": 1_900_000_000_000,
                "CloudWatchMetrics": [
                    {
                        "Namespace": "Sklambda",
                        "Dimensions": [["ModelName", "ModelVersion"], ["ModelName"]],
                        "Metrics": [{"Name": "MaxPSI", "Unit": "None"}],
                    }
                ],
            },
            "ModelName": "m",
            "ModelVersion": "v1",
            "MaxPSI": [0.3],
        }
    )
    data = list(metric_data_from_emf(line))
    assert [namespace for namespace, _ in data] == ["Sklambda", "Sklambda"]
    assert [datum["Dimensions"] for _, datum in data] == [
        [{"Name": "ModelName", "Value": "m"}, {"Name": "ModelVersion", "Value": "v1"}],
        [{"Name": "ModelName", "Value": "m"}],
    ]
    assert all(datum["Values"] == [0.3] for _, datum in data)
    assert data[0][1]["Timestamp"].timestamp() == 1_900_000_000


def test_ordinary_log_lines_are_not_metrics():
    assert list(metric_data_from_emf('{"level": "INFO", "message": "hi"}')) == []
    assert list(metric_data_from_emf("plain text")) == []
