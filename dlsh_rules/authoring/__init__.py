"""For pack authors: the test runner, explain, synthetic records, patches, generated docs and schemas."""
