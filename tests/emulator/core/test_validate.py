"""The body checks families share: each 422 names the field and the bad value."""

import pytest

from emulator.core.errors import Unprocessable
from emulator.core.validate import object_list


def test_object_list_labels_each_item_for_its_own_messages():
    body = {"rules": [{"type": "ip_addr"}, {"type": "tag"}]}
    assert object_list(body, "rules", "type and value") == [("rules[0]", {"type": "ip_addr"}),
                                                            ("rules[1]", {"type": "tag"})]
    assert object_list({"rules": None}, "rules", "type and value") == []
    assert object_list({"rules": ""}, "rules", "type and value") == []  # the provider sends "" for "not given"
    assert object_list({}, "rules", "type and value", where="spec") == []


@pytest.mark.parametrize(("body", "required", "message"), [
    ({"rules": "x"}, False, "spec.rules must be a list of objects with type and value; got 'x'"),
    ({"rules": [{}, 3]}, False, "spec.rules[1] must be an object with type and value; got 3"),
    ({}, True, "spec.rules is required: a non-empty list of objects with type and value"),
    ({"rules": []}, True, "spec.rules is required: a non-empty list of objects with type and value"),
])
def test_object_list_refuses_naming_the_field(body, required, message):
    with pytest.raises(Unprocessable) as err:
        object_list(body, "rules", "type and value", required=required, where="spec")
    assert err.value.message == message
