"""``PlannedOutputMixin`` (ADR 0029): a read serializer writes by a plan made once per class
exactly what DRF writes, and leaves to DRF every field and every object it does not plan."""

import datetime
from types import SimpleNamespace

import pytest
from rest_framework import serializers

from thuiszitters.api.serializers import PlannedOutputMixin

NOW = datetime.datetime(2026, 3, 18, 12, 30, tzinfo=datetime.UTC)


class Row(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    tags = serializers.ListField(child=serializers.CharField())


class Shout(serializers.CharField):
    def to_representation(self, value):
        return str(value).upper()


def _pair(fields: dict, base=serializers.Serializer):
    """The same serializer with and without the plan."""
    plain = type("Plain", (base,), dict(fields))
    planned = type("Planned", (PlannedOutputMixin, base), dict(fields))
    return plain, planned


def _same(fields: dict, *objects, planned_expected=True, base=serializers.Serializer):
    plain, planned = _pair(fields, base)
    from thuiszitters.api.serializers import _plan

    assert (_plan(planned) is not None) is planned_expected
    for obj in objects:
        assert planned(obj).data == plain(obj).data
        assert planned([obj, obj], many=True).data == plain([obj, obj], many=True).data


def _obj(**values):
    return SimpleNamespace(**values)


def test_plain_fields_lists_and_nested_serializers_write_as_drf():
    row = _obj(id=1, at=NOW, kind="b", tags=["x", "y"])
    fields = {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(source="person.name"),
        "amount": serializers.DecimalField(max_digits=6, decimal_places=2),
        "on": serializers.DateField(allow_null=True),
        "ok": serializers.BooleanField(),
        "rows": Row(many=True, source="children"),
        "one": Row(source="child"),
        "label": serializers.CharField(source="label_of"),  # a method: called, as DRF does
    }
    case = _obj(
        id=7,
        person=_obj(name="Sam"),
        amount=12.5,
        on=None,
        ok=1,
        children=[row, row],
        child=row,
        label_of=lambda: "Label",
    )
    _same(fields, case)


def test_a_method_field_of_the_outer_serializer_is_called_on_it():
    def get_weeks(self, obj):
        return obj.days // 7 + self.context.get("extra", 0)

    fields = {"weeks": serializers.SerializerMethodField(), "get_weeks": get_weeks}
    plain, planned = _pair(fields)
    obj = _obj(days=30)
    assert (
        planned(obj, context={"extra": 1}).data
        == {"weeks": 5}
        == plain(obj, context={"extra": 1}).data
    )


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"loud": Shout()}, id="a field class that writes otherwise"),
        pytest.param({"rows": Row(many=True, source="children", read_only=True)}, id="control"),
    ],
)
def test_fields_of_their_own_are_left_to_drf(fields):
    row = _obj(id=1, at=NOW, kind="a", tags=[])
    obj = _obj(loud="stil", children=[row])
    _same(fields, obj, planned_expected="loud" not in fields)


def test_a_nested_method_field_is_left_to_drf():
    def get_n(self, obj):
        return 3

    nested = type(
        "Nested",
        (serializers.Serializer,),
        {"n": serializers.SerializerMethodField(), "get_n": get_n},
    )
    _same({"child": nested()}, _obj(child=_obj()), planned_expected=False)


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param(_obj(id=1, name=None), id="none"),
        pytest.param(_obj(id=1), id="missing: DRF skips or defaults"),
        pytest.param({"id": 1, "name": "Sam"}, id="a mapping"),
        pytest.param(_obj(id=1, name="Sam", person=None), id="a missing step"),
    ],
)
def test_objects_the_plan_does_not_read_are_written_by_drf(obj):
    fields = {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(required=False),
        "initials": serializers.CharField(source="person.initials", default="-"),
    }
    _same(fields, obj)
