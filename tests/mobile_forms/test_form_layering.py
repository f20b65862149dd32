"""mobile_forms stays below the web app: importing it loads no Flask, web app or database code."""

from __future__ import annotations

import subprocess
import sys


def test_importing_mobile_forms_loads_no_flask_webapp_or_database_code() -> None:
    code = (
        "import sys, mobile_forms, mobile_forms.xlsform\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'webapp', 'sqlalchemy', 'geoalchemy2', 'psycopg', 'sqlite3', 'sqlean'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
