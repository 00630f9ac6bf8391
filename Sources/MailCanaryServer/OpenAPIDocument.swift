/// The API as an OpenAPI 3.1 document, served at `GET /api/v1/openapi.json`. A test fetches it
/// from a running server, checks that it names every API route of the router with its method,
/// and validates live answers (bodies and statuses) against its schemas.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "MailCanary API",
        "version": "1",
        "description": "Probe results, series, incidents, user reports, client telemetry and the agent protocol. Times are milliseconds since 1970 unless named ...At (ISO 8601, UTC). Every error is {\"error\": message} naming the field or the cause. While the store does not answer, every route that needs it answers 503 with Retry-After (seconds) at once."
      },
      "servers": [{"url": "/"}],
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "A token: reader (read), operator (write), telemetry (ingest) or an agent's (agent)."},
          "session": {"type": "apiKey", "in": "cookie", "name": "mc_session", "description": "A dashboard session (mailcanary user add)."}
        },
        "responses": {
          "Error": {"description": "Refused, with the cause", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
          "Step": {"type": "object", "required": ["name", "outcome", "durationMs"],
                   "properties": {"name": {"type": "string"}, "outcome": {"type": "string"}, "durationMs": {"type": "number"}, "detail": {"type": ["string", "null"]}}},
          "Result": {"type": "object",
                     "required": ["origin", "probeID", "service", "path", "region", "startedAtMs", "plannedAtMs", "durationMs", "outcome", "steps"],
                     "properties": {
                       "origin": {"type": "string"}, "sequence": {"type": ["integer", "null"]}, "probeID": {"type": "string"},
                       "service": {"type": "string"}, "path": {"type": "string"}, "region": {"type": "string"},
                       "startedAtMs": {"type": "integer"}, "plannedAtMs": {"type": "integer"}, "durationMs": {"type": "number"},
                       "outcome": {"type": "string", "enum": ["ok", "failed"]},
                       "failureClass": {"type": ["string", "null"]}, "failureReason": {"type": ["string", "null"]},
                       "failedStep": {"type": ["string", "null"]}, "error": {"type": ["string", "null"]},
                       "certificateDaysLeft": {"type": ["integer", "null"]},
                       "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}}}},
          "Results": {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}},
          "Services": {"type": "object", "required": ["services"], "properties": {"services": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "kind", "paths"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["microsoft365", "exchange-server", "mail-host"]},
                           "paths": {"type": "array", "items": {"type": "object", "required": ["probe", "path", "target", "intervalSeconds", "timeoutMs", "regions"],
                             "properties": {"probe": {"type": "string"}, "path": {"type": "string"}, "target": {"type": "string"},
                                            "intervalSeconds": {"type": "integer"}, "timeoutMs": {"type": "integer"},
                                            "regions": {"type": "array", "items": {"type": "string"}}}}}}}}}},
          "History": {"type": "object", "required": ["series", "resolution", "buckets"], "properties": {
            "series": {"type": "object", "required": ["service", "path", "region", "source"], "properties": {
              "service": {"type": "string"}, "path": {"type": "string"}, "region": {"type": "string"}, "source": {"type": "string"}}},
            "resolution": {"type": "string", "enum": ["minute", "hour"]},
            "buckets": {"type": "array", "items": {"type": "object", "required": ["bucket", "total", "ok", "failed", "failureRatio", "classes"],
              "properties": {"bucket": {"type": "integer"}, "total": {"type": "integer"}, "ok": {"type": "integer"}, "failed": {"type": "integer"},
                             "failureRatio": {"type": "number"}, "classes": {"type": "object", "additionalProperties": {"type": "integer"}},
                             "p50Ms": {"type": ["number", "null"]}, "p90Ms": {"type": ["number", "null"]}, "p99Ms": {"type": ["number", "null"]}}}}}},
          "Agents": {"type": "object", "required": ["agents"], "properties": {"agents": {"type": "array", "items": {
            "type": "object", "required": ["id", "region", "hasToken"],
            "properties": {"id": {"type": "string"}, "region": {"type": "string"}, "hasToken": {"type": "boolean"}, "lastSeenMs": {"type": ["integer", "null"]}}}}}},
          "Incident": {"type": "object",
            "required": ["id", "service", "openedAt", "resolvedAt", "status", "paths", "regions", "cause", "layer", "workaround", "advisories",
                         "firstAnomalyAt", "sources", "affectedUsersEstimate", "reporters", "sampleErrors", "timeline"],
            "properties": {
              "id": {"type": "string"}, "service": {"type": "string"}, "openedAt": {"type": "string"},
              "resolvedAt": {"type": ["string", "null"], "description": "When detection resolved it"},
              "operatorStatus": {"type": ["string", "null"], "description": "The status an operator set last (null: none); a restored one (serviceRestored, falsePositive, ...) means an operator resolved the incident"},
              "status": {"type": "string", "description": "The provider's vocabulary: investigating, serviceDegradation, serviceInterruption, restoringService, serviceRestored, ..."},
              "paths": {"type": "array", "items": {"type": "string"}}, "regions": {"type": "array", "items": {"type": "string"}},
              "scope": {"type": "array", "items": {"type": "object", "required": ["path", "region"], "properties": {"path": {"type": "string"}, "region": {"type": "string"}}}},
              "anomalyKinds": {"type": "array", "items": {"type": "string", "enum": ["failure", "latency", "reports"]}},
              "cause": {"type": "string", "enum": ["server-side", "client-config", "network-intermediary", "authentication"]},
              "layer": {"type": "string"},
              "workaround": {"type": ["object", "null"], "required": ["client", "text"], "properties": {"client": {"type": "string"}, "text": {"type": "string"}}},
              "advisories": {"type": "array", "items": {"type": "string"}},
              "advisoryLinks": {"type": "array", "items": {"type": "object", "required": ["id", "title", "status"], "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "string"}, "firstPostAt": {"type": ["string", "null"]},
                "linkedAt": {"type": ["string", "null"]}, "leadMinutes": {"type": ["number", "null"]}}}},
              "concurrent": {"type": "array", "description": "Other incidents open at the same time with the same cause.",
                "items": {"type": "object", "required": ["id", "service"], "properties": {
                "id": {"type": "string"}, "service": {"type": "string"}, "since": {"type": ["string", "null"]}}}},
              "members": {"type": "array", "items": {"type": "object", "required": ["source", "region"], "properties": {
                "source": {"type": "string"}, "path": {"type": ["string", "null"]}, "region": {"type": "string"}, "joinedAt": {"type": ["string", "null"]}}}},
              "firstAnomalyAt": {"type": ["string", "null"]}, "recoveredAt": {"type": ["string", "null"]},
              "leadOverAdvisoryMinutes": {"type": ["number", "null"]}, "leadOverReportsMinutes": {"type": ["number", "null"]},
              "sources": {"type": "array", "items": {"type": "string", "enum": ["probe", "telemetry", "reports"]}},
              "affectedUsersEstimate": {"type": "integer"}, "reporters": {"type": "integer"},
              "sampleErrors": {"type": "array", "items": {"type": "object", "required": ["message", "count"], "properties": {"message": {"type": "string"}, "count": {"type": "integer"}}}},
              "timeline": {"type": "array", "items": {"type": "object", "required": ["at", "kind", "text"], "properties": {
                "at": {"type": ["string", "null"]}, "kind": {"type": "string"}, "text": {"type": "string"}}}}}},
          "Incidents": {"type": "object", "required": ["incidents"], "properties": {"incidents": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}}},
          "Note": {"type": "object", "required": ["at", "author", "text"], "properties": {
            "at": {"type": "string"}, "author": {"type": "string"}, "status": {"type": ["string", "null"]}, "text": {"type": "string"}}},
          "IncidentDetail": {"allOf": [{"$ref": "#/components/schemas/Incident"}, {"type": "object", "required": ["operatorStatus", "notes"], "properties": {
            "operatorStatus": {"type": ["string", "null"]}, "notes": {"type": "array", "items": {"$ref": "#/components/schemas/Note"}}}}]},
          "NewNote": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 4000}, "status": {"type": ["string", "null"]}}},
          "Report": {"type": "object", "required": ["service"], "properties": {
            "service": {"type": "string"}, "region": {"type": "string"}, "client": {"type": "string"},
            "symptom": {"type": "string", "enum": ["cannot-connect", "cannot-send", "cannot-receive", "slow", "password-prompts", "other"]},
            "text": {"type": "string", "maxLength": 2000}, "reporter": {"type": "string"}}},
          "ReportReceipt": {"type": "object", "required": ["received", "service", "region"], "properties": {
            "received": {"type": "boolean"}, "service": {"type": "string"}, "region": {"type": "string"}}},
          "TelemetryReceipt": {"type": "object", "required": ["accepted", "rejected", "duplicate", "problems", "unlistedProblems"], "properties": {
            "accepted": {"type": "integer"}, "rejected": {"type": "integer"}, "duplicate": {"type": "boolean"}, "unlistedProblems": {"type": "integer"},
            "problems": {"type": "array", "items": {"type": "object", "required": ["line", "status", "error"], "properties": {
              "line": {"type": "integer"}, "status": {"type": "integer"}, "error": {"type": "string"}}}}}},
          "BatchReceipt": {"type": "object", "required": ["accepted", "duplicates", "through"], "properties": {
            "accepted": {"type": "integer"}, "duplicates": {"type": "integer"}, "through": {"type": "integer"}}},
          "Notification": {"type": "object", "required": ["key", "channel", "incident", "event", "status", "attempts", "createdAt"], "properties": {
            "key": {"type": "string", "description": "The transition's stable key (also X-MailCanary-Delivery on webhooks)"},
            "channel": {"type": "string"}, "incident": {"type": "string"},
            "event": {"type": "string", "enum": ["opened", "escalated", "statusSet", "recovering", "resolved", "reminder", "unmuted", "test"]},
            "status": {"type": "string", "enum": ["pending", "delivered", "failed", "abandoned", "muted"]},
            "attempts": {"type": "integer"}, "createdAt": {"type": "string"}, "nextAttemptAt": {"type": ["string", "null"]},
            "deliveredAt": {"type": ["string", "null"]}, "lastResult": {"type": ["string", "null"]}}},
          "Notifications": {"type": "object", "required": ["notifications"], "properties": {"notifications": {"type": "array", "items": {"$ref": "#/components/schemas/Notification"}}}},
          "Token": {"type": "object", "required": ["id", "role", "scope", "createdAt"], "properties": {
            "id": {"type": "string"}, "role": {"type": "string", "enum": ["reader", "telemetry", "operator", "agent"]},
            "scope": {"type": "string", "enum": ["read", "ingest", "write", "agent"]}, "createdAt": {"type": "string"}, "lastUsedAt": {"type": ["string", "null"]}}},
          "Tokens": {"type": "object", "required": ["tokens"], "properties": {"tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}}},
          "NewToken": {"type": "object", "required": ["role", "name"], "additionalProperties": false, "properties": {
            "role": {"type": "string", "enum": ["reader", "telemetry", "operator"]}, "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}}},
          "IssuedToken": {"type": "object", "required": ["id", "role", "token"], "properties": {
            "id": {"type": "string"}, "role": {"type": "string"}, "token": {"type": "string", "description": "Shown once; the server keeps only its SHA-256"}}},
          "Advisories": {"type": "object", "required": ["advisories", "tenants"], "properties": {
            "advisories": {"type": "array", "items": {"type": "object",
              "required": ["id", "title", "status", "classification", "service", "feature", "isResolved", "lastPolledAt", "versions", "tenants", "incidents", "possiblyRelated", "incidentReport"],
              "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "string", "description": "As the provider sent it"},
                "classification": {"type": "string"}, "service": {"type": "string"}, "feature": {"type": "string"}, "isResolved": {"type": "boolean"},
                "startDateTime": {"type": ["string", "null"]}, "firstPostAt": {"type": ["string", "null"]}, "lastPolledAt": {"type": "string"},
                "versions": {"type": "integer"}, "tenants": {"type": "array", "items": {"type": "string"}},
                "incidents": {"type": "array", "items": {"type": "string"}, "description": "Linked incidents; empty: the provider reports a problem MailCanary does not see"},
                "possiblyRelated": {"type": "array", "items": {"type": "string"}, "description": "Concurrent advisories on the same provider service"},
                "incidentReport": {"type": "boolean", "description": "Whether the provider's post-incident review has been fetched"}}}},
            "tenants": {"type": "array", "items": {"type": "object", "required": ["tenant", "requests", "versionsStored", "problems"], "properties": {
              "tenant": {"type": "string"}, "lastPollAt": {"type": ["string", "null"]}, "nextPollAt": {"type": ["string", "null"]},
              "requests": {"type": "integer"}, "versionsStored": {"type": "integer"}, "problems": {"type": "array", "items": {"type": "string"}}}}}}},
          "AdvisoryVersions": {"type": "object", "required": ["id", "incidents", "versions"], "properties": {
            "id": {"type": "string"}, "incidents": {"type": "array", "items": {"type": "string"}},
            "versions": {"type": "array", "items": {"type": "object", "required": ["polledAt", "tenant", "status", "issue"], "properties": {
              "polledAt": {"type": "string"}, "tenant": {"type": "string"}, "status": {"type": "string"},
              "issue": {"type": "string", "description": "The serviceHealthIssue as Graph sent it (JSON text)"}}}}}},
          "AgentPlan": {"type": "object", "required": ["agent", "region", "scheduler", "probes", "credentials"], "properties": {
            "agent": {"type": "string"}, "region": {"type": "string"}, "scheduler": {"type": "object"},
            "probes": {"type": "array", "items": {"type": "object"}}, "credentials": {"type": "object"}}}
        }
      },
      "paths": {
        "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "The document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/api/v1/services": {"get": {"summary": "Configured services and their probes", "security": [{"bearer": []}, {"session": []}],
          "responses": {"200": {"description": "Services", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Services"}}}}, "401": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/results/latest": {"get": {"summary": "The newest result per probe and region", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "service", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "Results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Results"}}}}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/results": {"get": {"summary": "Raw results of one probe in one region", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "probe", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "region", "in": "query", "schema": {"type": "string"}},
                         {"name": "from", "in": "query", "schema": {"type": "string"}}, {"name": "to", "in": "query", "schema": {"type": "string"}},
                         {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}}],
          "responses": {"200": {"description": "Results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Results"}}}}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/series/history": {"get": {"summary": "Per-minute or per-hour rollups of one series", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "service", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "path", "in": "query", "required": true, "schema": {"type": "string"}},
                         {"name": "region", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "source", "in": "query", "schema": {"type": "string"}},
                         {"name": "resolution", "in": "query", "schema": {"type": "string", "enum": ["minute", "hour"]}},
                         {"name": "from", "in": "query", "schema": {"type": "string"}}, {"name": "to", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "Buckets", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/History"}}}}, "400": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/agents": {"get": {"summary": "Configured agents and when they were last heard from", "security": [{"bearer": []}, {"session": []}],
          "responses": {"200": {"description": "Agents", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Agents"}}}}}}},
        "/api/v1/incidents": {"get": {"summary": "Incidents, newest first", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "open", "in": "query", "schema": {"type": "boolean"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
          "responses": {"200": {"description": "Incidents", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Incidents"}}}}, "400": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/incidents/{id}": {"get": {"summary": "One incident with the operators' notes", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "The incident", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IncidentDetail"}}}}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/incidents/{id}/notes": {"post": {"summary": "Add a note, optionally setting the status (write scope)", "security": [{"bearer": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewNote"}}}},
          "responses": {"201": {"description": "The note", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/incidents/{id}/report": {"get": {"summary": "The post-incident report", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                         {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["markdown", "html"]}}],
          "responses": {"200": {"description": "The report", "content": {"text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/notifications": {"get": {"summary": "The record of notifications, newest first", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "incident", "in": "query", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
          "responses": {"200": {"description": "Notifications", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Notifications"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/tokens": {
          "get": {"summary": "API tokens (write scope)", "security": [{"bearer": []}],
            "responses": {"200": {"description": "Tokens", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tokens"}}}},
                          "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}},
          "post": {"summary": "Issue a reader, telemetry or operator token (write scope); a new token for a name replaces its old one", "security": [{"bearer": []}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewToken"}}}},
            "responses": {"201": {"description": "The token, shown once", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IssuedToken"}}}},
                          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/tokens/{id}": {"delete": {"summary": "Revoke a token (write scope)", "security": [{"bearer": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"204": {"description": "Revoked"}, "400": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/advisories": {"get": {"summary": "The provider's advisories of the last 30 days as last polled, with linked incidents, and each tenant's polling state", "security": [{"bearer": []}, {"session": []}],
          "responses": {"200": {"description": "Advisories", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Advisories"}}}}}}},
        "/api/v1/advisories/{id}": {"get": {"summary": "Every polled version of one advisory (the provider's timeline)", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "Versions", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdvisoryVersions"}}}},
                        "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/advisories/{id}/incidentReport": {"get": {"summary": "The provider's post-incident review document, once fetched", "security": [{"bearer": []}, {"session": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "The document as the provider published it", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                        "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/reports": {"post": {"summary": "A user's problem report (no account; rate-limited per sender)", "security": [],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}, "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Report"}}}},
          "responses": {"202": {"description": "Received", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportReceipt"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/telemetry": {"post": {"summary": "Client telemetry as NDJSON (ingest scope); bad lines are named by number, good ones kept", "security": [{"bearer": []}],
          "parameters": [{"name": "Idempotency-Key", "in": "header", "required": true, "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
          "responses": {"200": {"description": "Every line accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TelemetryReceipt"}}}},
                        "207": {"description": "Some lines refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TelemetryReceipt"}}}},
                        "400": {"description": "No line accepted", "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/TelemetryReceipt"}, {"$ref": "#/components/schemas/Error"}]}}}},
                        "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/agent/plan": {"get": {"summary": "An agent's share of the probes (agent scope)", "security": [{"bearer": []}],
          "parameters": [{"name": "region", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "The plan", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AgentPlan"}}}}, "403": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/agent/results": {"post": {"summary": "A batch of an agent's results (agent scope; idempotent per agent and sequence)", "security": [{"bearer": []}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["agent", "region", "results"], "properties": {
            "agent": {"type": "string"}, "region": {"type": "string"}, "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}}}}},
          "responses": {"200": {"description": "Stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchReceipt"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}}
      }
    }
    """#
}
