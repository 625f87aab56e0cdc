"""Drives a running tocsin hub with the OASIS TAXII 2.1 client (taxii2client.v21), unchanged.

usage: taxii2client_check.py URL USER KEY [CA_FILE]

Every TAXII endpoint the client offers, with its own pagination (as_pages), against a hub
whose one collection is readable and writable by USER. Exit 0 when every check passes.
"""
import datetime
import sys
import uuid

import requests
from taxii2client.v21 import Server, as_pages

GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


class Checks:
    def __init__(self):
        self.failed = 0

    def __call__(self, condition, what):
        print(("PASS " if condition else "FAIL ") + what)
        if not condition:
            self.failed += 1


def indicator(number, when):
    return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
            "created": when, "modified": when, "name": f"interop {number}",
            "pattern": f"[ipv4-addr:value = '198.51.100.{number}']", "pattern_type": "stix",
            "valid_from": when, "object_marking_refs": [GREEN]}


def http_status(call):
    try:
        call()
    except requests.HTTPError as e:
        return e.response.status_code
    return 200


def main():
    url, user, key = sys.argv[1], sys.argv[2], sys.argv[3]
    verify = sys.argv[4] if len(sys.argv) > 4 else True
    check = Checks()

    server = Server(url + "/taxii2/", user=user, password=key, verify=verify)
    check(bool(server.title) and len(server.api_roots) == 1,
          f"discovery: title {server.title!r}, {len(server.api_roots)} API root")
    root = server.api_roots[0]
    check("application/taxii+json;version=2.1" in root.versions and root.max_content_length > 0,
          f"API root: {root.title!r}, versions {root.versions}, max_content_length {root.max_content_length}")
    check(len(root.collections) == 1 and root.collections[0].can_read and root.collections[0].can_write,
          "collections: one, readable and writable")
    collection = root.collections[0]

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    posted = [indicator(n, now) for n in range(25)]
    status = collection.add_objects({"objects": posted})
    check(status.status == "complete" and status.success_count == 25 and status.failure_count == 0,
          f"add_objects: {status.status}, {status.success_count} succeeded, {status.failure_count} failed")
    status.refresh()
    check(status.success_count == 25, "status refresh")
    check(root.get_status(status.id).success_count == 25, "API root get_status")

    pages = list(as_pages(collection.get_objects, per_request=10))
    seen = [o["id"] for page in pages for o in page.get("objects", [])]
    check(len(pages) == 3 and sorted(seen) == sorted(o["id"] for o in posted),
          f"as_pages(get_objects, 10): {len(pages)} pages, {len(seen)} objects")
    pages = list(as_pages(collection.get_manifest, per_request=10))
    seen = [r["id"] for page in pages for r in page.get("objects", [])]
    check(len(pages) == 3 and sorted(seen) == sorted(o["id"] for o in posted),
          f"as_pages(get_manifest, 10): {len(pages)} pages, {len(seen)} records")
    check(len(collection.get_objects(type="indicator").get("objects", [])) == 25,
          "get_objects(type=indicator)")
    check(not collection.get_objects(type="malware").get("objects"), "get_objects(type=malware): none")
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    check(not collection.get_objects(added_after=future).get("objects"),
          "get_objects(added_after=tomorrow): none")

    first = posted[1]
    for day in range(1, 12):
        collection.add_objects({"objects": [dict(first, modified=f"2030-01-{day:02d}T00:00:00.000Z",
                                                 name=f"interop 1 v{day}")]})
    versions = collection.object_versions(first["id"])
    check(len(versions.get("versions", [])) == 12, f"object_versions: {len(versions.get('versions', []))}")
    latest = collection.get_object(first["id"])["objects"]
    check(len(latest) == 1 and latest[0]["name"] == "interop 1 v11", "get_object: the latest version")
    # The client documents as_pages for objects and manifest; on versions it drops the limit
    # after the first page (it counts "objects"), so only the total is checked.
    pages = list(as_pages(collection.object_versions, 5, first["id"]))
    seen = [v for page in pages for v in page.get("versions", [])]
    check(len(seen) == 12 and len(set(seen)) == 12, f"as_pages(object_versions, 5): {len(seen)} versions")

    gone = posted[0]["id"]
    collection.delete_object(gone)
    check(http_status(lambda: collection.get_object(gone)) == 404, "delete_object, then get_object: 404")
    intruder = Server(url + "/taxii2/", user=user, password="wrong", verify=verify)
    check(http_status(intruder.refresh) == 401, "a wrong key: 401")

    print("all checks passed" if check.failed == 0 else f"{check.failed} checks failed")
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
