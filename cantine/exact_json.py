"""Django's JSON fixture format, with times to the microsecond.

``DjangoJSONEncoder`` cuts datetimes and times to the millisecond, so a backup restored
(``manage.py backup`` / ``restore``) would not give back the rows it was made from. Set as
the "json" format in ``SERIALIZATION_MODULES``: ``dumpdata`` and backups write full times;
``loaddata`` reads either.
"""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as DjangoSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time) and o.microsecond:
            if isinstance(o, datetime.time) and o.utcoffset() is not None:
                return super().default(o)  # Django refuses those; so do we
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(DjangoSerializer):
    def _init_options(self):
        super()._init_options()
        if "cls" not in self.options:
            self.json_kwargs["cls"] = ExactEncoder
