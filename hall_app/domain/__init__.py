"""Pure domain rules: states, transitions, roles, priority ordering. No I/O."""
