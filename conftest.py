pytest_plugins = ["tests.fixtures", "localmodels.pytest_plugin"]
