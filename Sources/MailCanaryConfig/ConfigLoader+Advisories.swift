import Foundation

extension ConfigLoader {
    func readAdvisories(_ cursor: ConfigCursor, services: [String]) -> AdvisoriesConfig {
        var config = AdvisoriesConfig()
        guard let keys = cursor.mapping(allowed: ["interval", "tenants"]) else { return config }
        if let interval = keys["interval"]?.duration(in: .seconds(10)...(.seconds(86_400))) { config.interval = interval }
        var ids: Set<String> = []
        for (index, tenant) in (keys["tenants"]?.sequence() ?? []).enumerated() {
            guard let read = readTenant(tenant, services: services) else { continue }
            if !ids.insert(read.id).inserted {
                tenant.problem("a second tenant is named '\(read.id)'", fix: "give each tenant its own id (tenants[\(index)])")
                continue
            }
            config.tenants.append(read)
        }
        return config
    }

    private func readTenant(_ cursor: ConfigCursor, services: [String]) -> GraphTenantConfig? {
        guard let keys = cursor.mapping(allowed: ["id", "tenant", "client_id", "client_secret", "certificate", "private_key", "graph_url",
                                                  "token_url", "ca_file", "services", "requests_per_minute", "requests_per_hour", "timeout"],
                                        required: ["id", "tenant", "client_id"]) else { return nil }
        guard let id = keys["id"]?.name(what: "tenant id"), let tenant = keys["tenant"]?.string(), let clientID = keys["client_id"]?.string() else {
            return nil
        }
        if tenant.isEmpty || tenant.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace }) {
            keys["tenant"]?.problem("'\(tenant)' is not a tenant id or domain", fix: "write the tenant's GUID or a verified domain such as contoso.onmicrosoft.com")
            return nil
        }
        let credential: GraphTenantConfig.Credential
        switch (keys["client_secret"], keys["certificate"]) {
        case (let secret?, nil):
            guard let reference = secret.secret() else { return nil }
            if let key = keys["private_key"] { key.problem("only goes with certificate:", fix: "remove it, or use certificate: instead of client_secret:") }
            credential = .secret(resolve(reference))
        case (nil, let certificate?):
            guard let path = certificate.string() else { return nil }
            guard let keyNode = keys["private_key"] else {
                cursor.problem("a certificate needs its private key", fix: "add private_key: {file: PATH} (the key is a secret)")
                return nil
            }
            guard let key = keyNode.secret() else { return nil }
            if checkFiles, !FileManager.default.isReadableFile(atPath: resolvePath(path)) {
                certificate.problem("cannot read \(resolvePath(path))", fix: "give the PEM file of the certificate registered on the app")
            }
            credential = .certificate(certificateFile: resolvePath(path), privateKey: resolve(key))
        case (nil, nil):
            cursor.problem("names no credential", fix: "add client_secret: {env: NAME}, or certificate: FILE with private_key: {file: PATH}")
            return nil
        case (_?, _?):
            cursor.problem("names a client secret and a certificate", fix: "keep one of them")
            return nil
        }
        var config = GraphTenantConfig(id: id, tenant: tenant, clientID: clientID, credential: credential)
        for (key, apply) in [("graph_url", { (url: String) in config.graphURL = url }), ("token_url", { (url: String) in config.tokenURL = url })] {
            guard let node = keys[key], let text = node.string() else { continue }
            guard Self.isHTTPURL(text), text.lowercased().hasPrefix("https://") else {
                node.problem("'\(text)' is not an https URL", fix: key == "graph_url" ? "write https://graph.microsoft.com (or a national cloud's)" : "write https://login.microsoftonline.com")
                continue
            }
            apply(String(text.reversed().drop { $0 == "/" }.reversed()))
        }
        if let ca = keys["ca_file"], let path = ca.string() {
            config.caFile = resolvePath(path)
            if checkFiles, !FileManager.default.isReadableFile(atPath: resolvePath(path)) {
                ca.problem("cannot read \(resolvePath(path))", fix: "give the path of a PEM file with the CA certificates")
            }
        }
        for service in keys["services"]?.sequence() ?? [] {
            guard let name = service.string() else { continue }
            if services.contains(name) { config.services.append(name) } else {
                service.problem("no service is named '\(name)'", fix: "write one of \(services.joined(separator: ", "))")
            }
        }
        if let perMinute = keys["requests_per_minute"]?.int(in: 1...240) { config.requestsPerMinute = perMinute }
        if let perHour = keys["requests_per_hour"]?.int(in: 1...800) { config.requestsPerHour = perHour }
        if let timeout = keys["timeout"]?.duration(in: .seconds(1)...(.seconds(300))) { config.timeout = timeout }
        return config
    }
}
