#!/usr/bin/env python3
"""Validates what the hub emitted against the STIX 2.1 and TAXII 2.1 JSON schemas in schemas/.

Usage: validate_stix.py SCHEMA_DIR INPUT.json
INPUT.json: {"stix": [object, ...], "taxii": [{"resource": "envelope", "instance": {...}}, ...]}
STIX objects are checked against schemas/<type>.json (an unknown type is an error, so the test
keeps the schemas and what it emits in step). Exit 0: all valid; 1: invalid; 77: skipped
(python3-jsonschema missing).
"""
import json
import pathlib
import sys

try:
    import jsonschema
    from referencing import Registry, Resource
except ImportError:
    print("python3-jsonschema (with referencing) is not installed: skipped")
    sys.exit(77)


def main():
    schema_dir = pathlib.Path(sys.argv[1])
    data = json.loads(pathlib.Path(sys.argv[2]).read_text())
    schemas = {}
    registry = Registry()
    for path in sorted(schema_dir.glob("*.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[path.stem] = schema
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))

    def validator(schema):
        return jsonschema.Draft202012Validator(schema, registry=registry)

    failures = 0
    checked = 0
    for obj in data.get("stix", []):
        name = obj.get("type", "?")
        if name not in schemas:
            print(f"no schema for STIX type {name!r}")
            failures += 1
            continue
        for error in validator(schemas[name]).iter_errors(obj):
            print(f"{obj.get('id')}: {error.message} at {list(error.absolute_path)}")
            failures += 1
        checked += 1
    taxii = schemas["taxii"]
    for item in data.get("taxii", []):
        resource = item["resource"]
        schema = {"$ref": f"{taxii['$id']}#/$defs/{resource}"}
        for error in validator(schema).iter_errors(item["instance"]):
            print(f"{resource}: {error.message} at {list(error.absolute_path)}")
            failures += 1
        checked += 1
    print(f"{checked} instances checked, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
