"""JSON errors of the API: ``{"error": {"code": <HTTP status>, "reason": <stable>, "message": ...}}``."""
from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.status, self.reason, self.message = status, reason, message or reason


def error_body(status: int, reason: str, message: str) -> tuple[dict, int]:
    return {"error": {"code": status, "reason": reason, "message": message}}, status
