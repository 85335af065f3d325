import json
import logging

from app.core.logging import JsonFormatter


def test_json_log_lines_mask_phone_numbers():
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "payer %s", ("+237677123456",), None)
    record.request_id, record.tenant = "abc123", 7
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "payer **********456"
    assert line["request_id"] == "abc123" and line["tenant"] == 7 and line["level"] == "INFO"
