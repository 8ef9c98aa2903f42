"""Every change to the data is a command here: a plain function of (db, ...) that resolves what it
needs, asks the domain, changes rows, never commits, and returns an Outcome (its value and the
events for the room's pages). Routers parse, `await writer.run(command, ...)`, and render; the
writer (app.writer) runs commands in its thread and transaction, commits, then publishes."""
