"""Payments: one provider per method behind a registry, a payment row per attempt, and an
inbox of provider events processed by jobs."""
