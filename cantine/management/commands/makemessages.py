"""``makemessages`` that also reads the pure modules' messages.

The optimisers and checkers stay free of Django: they write their messages through a module
function named ``translate`` (``nutrition.compliance``, ``menus.variety``, ``cantine.local``),
which each app points at Django's gettext when it starts. xgettext only extracts the
keywords it is told, so this command adds ``translate``, and ``N_`` for the labels those
modules keep in tables and translate when shown: without them, those messages would be
marked obsolete and dropped from the catalogue.
"""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [
        *MakeMessagesCommand.xgettext_options,
        "--keyword=translate",
        "--keyword=N_",
    ]
