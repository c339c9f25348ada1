"""The build step pyproject.toml cannot say: the token's own files travel inside the package.

firmware/ and boards/ stay at the top of the checkout (the token's sources, not the host's); a wheel carries them
as totpfob/_device/firmware and totpfob/_device/boards, where totpfob.paths looks first. An editable install
copies nothing: paths then finds the checkout's folders themselves. The sdist gets them through MANIFEST.in.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DEVICE_FOLDERS = ("firmware", "boards")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mpy")


class BuildWithDevice(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "totpfob" / "_device"
        for folder in DEVICE_FOLDERS:
            if (target / folder).exists():
                shutil.rmtree(target / folder)
            shutil.copytree(here / folder, target / folder, ignore=SKIP)


setup(cmdclass={"build_py": BuildWithDevice})
