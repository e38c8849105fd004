"""Private helpers of pmo_lib._util that are not exercised through a public function."""

from __future__ import annotations

import os
import subprocess
import sys

from pmo_lib._util import silenced


def test_silenced_hides_writes_to_the_descriptor_and_restores_it(capfd):
    os.write(1, b"before\n")
    with silenced("stdout"):
        os.write(1, b"hidden\n")  # what compiled code writes below Python
    os.write(1, b"after\n")
    os.write(2, b"err before\n")
    with silenced("stderr"):
        os.write(2, b"hidden err\n")
        subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('child\\n')"],
                       check=True)  # a child process inherits the silenced descriptor
    out, err = capfd.readouterr()
    assert out == "before\nafter\n"
    assert err == "err before\n"
