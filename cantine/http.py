"""Which HTTP methods a page answers, declared where its route is (the URLconf).

A page that only shows something answers GET (and HEAD); a page with a form answers GET and
POST. Anything else gets 405, so a PUT or DELETE never falls through to a view's GET branch
(the authorization matrix in tests/security walks every route and method and checks it).
"""

from django.views.decorators.http import require_http_methods, require_safe

reads = require_safe
forms = require_http_methods(["GET", "HEAD", "POST"])
