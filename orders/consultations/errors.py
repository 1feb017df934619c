"""What a consultation refuses, and the criteria it is judged on."""

from __future__ import annotations

from cantine.refusals import DomainError
from orders import award as award_model
from orders import procurement

CRITERIA = award_model.CRITERIA


class ConsultationError(DomainError):
    """A rule of consultations said no; the message is for the person who asked (a page or
    the API that does not catch it answers 409 through the one refusal path)."""


class ThresholdWarning(ConsultationError):
    """Publishing would cross a threshold the kind of purchase does not allow: the buyer sees
    the warnings and must acknowledge them (or change the kind of purchase)."""

    def __init__(self, warnings: list[procurement.Warning]):
        super().__init__(" ".join(w.text for w in warnings))
        self.warnings = warnings
