"""Request parsers: DRF's JSON parser, made safe against hostile nesting."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's parser catches ``ValueError`` only; JSON nested deeper than the interpreter's
    recursion limit (``[[[[…]]]]``, a few hundred kilobytes) raises ``RecursionError`` and
    would be a 500. It is malformed input like any other: a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
