CREATE TABLE prompt (
    name VARCHAR NOT NULL,
    template VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    temperature FLOAT NOT NULL,
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    name_key VARCHAR NOT NULL,
    CONSTRAINT name_length CHECK (name <> '' AND length(name) <= 100),
    CONSTRAINT template_length CHECK (template <> '' AND length(template) <= 10000),
    CONSTRAINT model_length CHECK (model <> '' AND length(model) <= 100),
    CONSTRAINT temperature_range CHECK (temperature BETWEEN 0 AND 2),
    UNIQUE (name_key)
)
