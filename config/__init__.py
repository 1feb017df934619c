"""The project's configuration: settings, the root URL configuration, WSGI and ASGI.

It sits above every app and knows them all; no app imports it (apps read ``django.conf.settings``),
so ``cantine/`` stays the shared kernel.
"""
