#!/usr/bin/env python3
"""Seeds a hub collection with N indicators through the TAXII API (envelopes of 1000).

Usage: seed.py BASE_URL COLLECTION_PATH USER KEY COUNT [CA_FILE]
"""
import base64
import json
import ssl
import sys
import urllib.request


def main():
    base, path, user, key, count = sys.argv[1:6]
    context = ssl.create_default_context(cafile=sys.argv[6]) if len(sys.argv) > 6 else None
    auth = base64.b64encode(f"{user}:{key}".encode()).decode()
    count = int(count)
    done = 0
    while done < count:
        batch = min(1000, count - done)
        objects = []
        for i in range(done, done + batch):
            objects.append({
                "type": "indicator", "spec_version": "2.1",
                "id": f"indicator--{i:08x}-0000-4000-8000-{i:012x}",
                "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                "name": f"seed {i}", "pattern": f"[ipv4-addr:value = '203.0.113.{i % 250}']",
                "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
                "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"],
            })
        request = urllib.request.Request(
            base + path + "objects/", data=json.dumps({"objects": objects}).encode(),
            method="POST",
            headers={"Authorization": "Basic " + auth,
                     "Content-Type": "application/taxii+json;version=2.1",
                     "Accept": "application/taxii+json;version=2.1"})
        with urllib.request.urlopen(request, context=context) as response:
            status = json.load(response)
            if response.status != 202 or status["success_count"] != batch:
                sys.exit(f"seeding failed: {response.status} {status}")
        done += batch
    print(f"seeded {done} indicators")


if __name__ == "__main__":
    main()
