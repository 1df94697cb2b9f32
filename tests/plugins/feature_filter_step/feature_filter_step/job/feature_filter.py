"""Keep the configured columns of the input CSV files (runs inside the processing job)."""

import csv
import json
from pathlib import Path

ROOT = Path("/opt/ml/processing")


def main(root=ROOT):
    settings = json.loads((root / "input/config/settings.json").read_text())
    out = root / "output/data"
    out.mkdir(parents=True, exist_ok=True)
    for source in sorted((root / "input/data").glob("*.csv")):
        with source.open() as infile, (out / source.name).open("w", newline="") as outfile:
            rows = csv.DictReader(infile)
            writer = csv.writer(outfile)
            writer.writerow(settings["keep_columns"])
            for row in rows:
                kept = [row[column] for column in settings["keep_columns"]]
                if settings["drop_empty_rows"] and "" in kept:
                    continue
                writer.writerow(kept)


if __name__ == "__main__":
    main()
