"""Reads a Prometheus text exposition (format 0.0.4) on standard input with the reference
client's parser and prints its families as JSON: [{name, type, samples: [{name, labels, value}]}].
A text the parser refuses exits non-zero with its error."""

import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> None:
    families = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        samples = []
        for sample in family.samples:
            value = sample.value
            samples.append(
                {
                    "name": sample.name,
                    "labels": dict(sample.labels),
                    "value": "+Inf" if math.isinf(value) else value,
                }
            )
        families.append({"name": family.name, "type": family.type, "samples": samples})
    json.dump(families, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
