"""The decisions of the CD workflow (.github/workflows/cd.yml), in code with tests: which commit
goes to which environment, which parameters `sam deploy` gets, what the stack's state allows,
whether the image is there, and what a first deploy must still check. Run it as
`python -m scripts.cd <command>` from the repository root (docs/deploy.md)."""
