"""Turn a Plan into text for terminals, Markdown for PR comments, or versioned JSON."""
