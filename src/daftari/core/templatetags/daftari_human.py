"""Template filters for values as people read them: ``{{ x|when }}``, ``{{ x|kes }}``, ``{{ x|human }}``."""

from typing import Any

from django import template

from daftari.core import human as words

register = template.Library()


@register.filter
def when(value: Any) -> str:
    return words.when(value)


@register.filter
def day(value: Any) -> str:
    return words.day(value)


@register.filter
def kes(value: Any) -> str:
    return words.kes(value)


@register.filter
def thousands(value: Any) -> str:
    return words.thousands(value)


@register.filter
def human(value: Any) -> str:
    return words.human(value)
