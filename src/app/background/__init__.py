"""Background work: queue consumers and scheduled jobs (docs/background.md).

A domain declares them in its own `consumers` and `jobs` modules, found through the domain
registry; the Lambda entry runs them for SQS batches and `{"job": ...}` events. They call the
domain services, like the routes do. `producer` sends the messages a route queues.
"""
