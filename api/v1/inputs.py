"""Input fields of the API, and validation that answers as DRF's without its per-field work.

The fields: strings that are strings (DRF's ``CharField`` also takes 12 or 1.5), integers that
are JSON integers, links checked fast in their usual shape, times read in the site's zone.

``plain_validation(serializer_class)``: see ``plain_validator``.
"""

import re
import threading

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import fields, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from api.v1.base import reused


class ProhibitSurrogates(ProhibitSurrogateCharactersValidator):
    """DRF's check, same message, as one regular-expression scan: DRF loops over every
    character in Python, a fifth of the validation time of a batch of 1,000 mentions."""

    pattern = re.compile("[\ud800-\udfff]")

    def __call__(self, value):
        found = self.pattern.search(str(value))
        if found:
            message = self.message.format(code_point=ord(found.group()))
            raise ValidationError(message, code=self.code)


def _scan_surrogates_at_once(field):
    field.validators = [
        ProhibitSurrogates() if type(v) is ProhibitSurrogateCharactersValidator else v
        for v in field.validators
    ]


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField would also take 12 or 1.5. Its length
    limit holds for the string as sent, as the schema's ``maxLength`` says: DRF measures it
    after trimming the surrounding whitespace, so it took a longer string padded with it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        _scan_surrogates_at_once(self)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


# The largest id a row can have (a 64-bit signed integer): an id past it names nothing, and the
# databases refuse to compare it (SQLite raises; PostgreSQL's bigint is out of range).
MAX_ID = 2**63 - 1


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, not "12" nor 12.0 nor true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


AMOUNT_PATTERN = r"^\d{1,6}(?:\.\d{1,2})?$"


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN, "example": "20.00"}
)
class AmountField(serializers.DecimalField):
    """A positive amount of money as the schema gives it: a string of digits with at most two
    decimals ("20.00"). DRF's DecimalField also takes 20, 2e1 and " 20", and its schema's
    pattern admits "", "-" and "."; here what the pattern admits is what is taken (then the
    field's bounds apply)."""

    default_error_messages = {
        "format": "Send the amount as a string of digits with at most two decimals, such as "
        '"20.00".'
    }
    shape = re.compile(AMOUNT_PATTERN)

    def __init__(self, **kwargs):
        super().__init__(max_digits=8, decimal_places=2, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self.shape.fullmatch(data):
            self.fail("format")
        return super().to_internal_value(data)


class CommonURLValidator(URLValidator):
    """Django's URLValidator, answering at once for the usual shape of a link: http or https,
    a host name of dotted ASCII labels ending in a letters-only top-level domain, an optional
    port, and a path of printable ASCII. Every string of that shape passes each of Django's
    checks (a property test holds the pattern to it); anything else takes them all, with
    their message. Two links per mention were a third of a bulk batch's validation."""

    common = re.compile(
        r"https?://(?P<host>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
        r"(?::[0-9]{1,5})?(?:[/?#][!-~]*)?"
    )

    def __call__(self, value):
        if isinstance(value, str) and len(value) <= self.max_length:
            found = self.common.fullmatch(value)
            if found is not None and len(found["host"]) <= 253:
                return
        super().__call__(value)


class URLField(serializers.URLField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        _scan_surrogates_at_once(self)
        self.validators = [
            CommonURLValidator(message=v.message) if type(v) is URLValidator else v
            for v in self.validators
        ]


class DateTimeField(serializers.DateTimeField):
    def default_timezone(self):
        # No request activates a time zone (an integration's naive times are in the site's):
        # the default one, without asking asgiref's context-local storage for each value.
        return timezone.get_default_timezone()


# --- plain validation -----------------------------------------------------------------------
def _run_validators(field):
    validators = [
        (lambda value, v=v: v(value, field)) if getattr(v, "requires_context", False) else v
        for v in field.validators
    ]

    def run(value):
        for validator in validators:
            validator(value)

    return run


def _text_check(field):
    """A string for a ``CharField`` whose handling of strings is ``CharField``'s."""
    allow_blank, trim = field.allow_blank, field.trim_whitespace
    validate = _run_validators(field)
    # StrictCharField measures the string as sent; a longer one is DRF's to refuse.
    longest = None
    if type(field).to_internal_value is StrictCharField.to_internal_value:
        longest = field.max_length

    def check(value):
        if type(value) is not str or (longest is not None and len(value) > longest):
            raise _Unsure
        if value == "" or (trim and value.isspace()):
            if not allow_blank:
                raise _Unsure
            return ""
        if trim:
            value = value.strip()
        validate(value)
        return value

    return check


def _integer_check(field):
    """A JSON integer for an ``IntegerField`` (``int(str(n))`` is ``n``; DRF refuses an
    integer too long to write out in decimal, so the long ones are left to it)."""
    validate = _run_validators(field)

    def check(value):
        if type(value) is not int or value.bit_length() > 64:
            raise _Unsure
        validate(value)
        return value

    return check


def _choice_check(field):
    choices = field.choice_strings_to_values
    validate = _run_validators(field)

    def check(value):
        if type(value) is not str or value not in choices:
            raise _Unsure
        value = choices[value]
        validate(value)
        return value

    return check


def _field_check(field):
    """DRF's own validation of any other field, the caller's errors taken for unsureness."""

    def check(value):
        if value is None:
            raise _Unsure
        return field.run_validation(value)

    return check


class _Unsure(Exception):
    """Not something the plain path answers: DRF decides, and gives the errors."""


# Conversions that, for a value of the checked type (str, int), do what the base class's does.
_STRING_CONVERSIONS = {fields.CharField.to_internal_value, StrictCharField.to_internal_value}
_INTEGER_CONVERSIONS = {fields.IntegerField.to_internal_value, StrictIntegerField.to_internal_value}


# ``dictionary.get(name, empty)`` for a dict (both differ only for HTML form input).
_MAPPING_LOOKUPS = {fields.Field.get_value, serializers.Serializer.get_value}


def plain_validator(serializer):
    """A function validating a mapping as ``serializer.run_validation`` does, or None if the
    serializer is not one it can follow (own ``validate`` methods, serializer validators,
    defaults, dotted sources, lists).

    The function returns the validated data, or None when the input is anything but plain
    and valid: a value of another type than the usual JSON one, a blank or missing required
    field, a null, a value a validator refuses. None sends the input through DRF, which gives
    the same answer for valid input and the errors for the rest. DRF validates each field
    through half a dozen calls (value lookup, empty values, conversion, each validator in a
    try block, writing the result): half of the CPU of a batch of 1,000 mentions. Strings,
    integers and choices are checked here in one step each, with the field's own validators;
    any other field (times, for one) by the field itself. A property test holds it to DRF on
    generated input."""
    base = serializers.Serializer
    if (
        serializer.validators
        or type(serializer).validate is not base.validate
        or type(serializer).run_validation is not base.run_validation
        or type(serializer).to_internal_value is not base.to_internal_value
    ):
        return None
    checks = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if (
            field.default is not empty
            or field.source_attrs != [name]
            or hasattr(serializer, f"validate_{name}")
            or type(field).get_value not in _MAPPING_LOOKUPS
            or type(field).validate_empty_values is not fields.Field.validate_empty_values
            or isinstance(field, serializers.ListSerializer)
        ):
            return None
        conversion = type(field).to_internal_value
        if isinstance(field, serializers.Serializer):
            nested = plain_validator(field)
            if nested is None:
                return None
            check = _nested_check(nested)
        elif (
            conversion in _STRING_CONVERSIONS
            and type(field).run_validation is fields.CharField.run_validation
        ):
            check = _text_check(field)
        elif (
            conversion in _INTEGER_CONVERSIONS
            and type(field).run_validation is fields.Field.run_validation
        ):
            check = _integer_check(field)
        elif type(field) is fields.ChoiceField:
            check = _choice_check(field)
        else:
            check = _field_check(field)
        checks.append((name, field.required, check))
    return _mapping_check(checks)


def _nested_check(validate_mapping):
    def check(value):
        found = validate_mapping(value)
        if found is None:
            raise _Unsure
        return found

    return check


def _mapping_check(checks):
    def validate(data):
        if type(data) is not dict:
            return None
        validated = {}
        try:
            for name, required, check in checks:
                value = data.get(name, empty)
                if value is empty:
                    if required:
                        return None
                    continue
                validated[name] = check(value)
        except (_Unsure, ValidationError, DjangoValidationError, SkipField):
            return None
        return validated

    return validate


_per_thread = threading.local()


def _leave_to_drf(data):
    return None


def plain_validation(serializer_class):
    """This thread's ``plain_validator`` of ``serializer_class`` (built on its reused
    instance); for a serializer it cannot follow, one that leaves every input to DRF."""
    made = _per_thread.__dict__.setdefault("validators", {})
    if serializer_class not in made:
        made[serializer_class] = plain_validator(reused(serializer_class)) or _leave_to_drf
    return made[serializer_class]
