"""Pure extractors: file -> Document -> Directive -> Extraction.  No Prefect, no database."""
