"""What a consultation refuses, and the criteria it is judged on."""

from __future__ import annotations

from orders import award as award_model
from orders import procurement

CRITERIA = award_model.CRITERIA


class ConsultationError(Exception):
    """A rule said no; the message is for the person who asked."""


class ThresholdWarning(ConsultationError):
    """Publishing would cross a threshold the kind of purchase does not allow: the buyer sees
    the warnings and must acknowledge them (or change the kind of purchase)."""

    def __init__(self, warnings: list[procurement.Warning]):
        super().__init__(" ".join(w.text for w in warnings))
        self.warnings = warnings
