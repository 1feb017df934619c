from django import template

from nutrition.compliance import rule_text as plain_rule_text

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def rule_text(rule):
    return plain_rule_text(rule)
