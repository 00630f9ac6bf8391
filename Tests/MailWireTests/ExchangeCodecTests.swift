import MailWire
import Testing

@Suite struct ExchangeCodecTests {
    @Test func wbxmlFolderSyncRoundTrips() throws {
        let page = WBXML.FolderHierarchy.page
        let document = WBXML.Node.element(page: page, tag: WBXML.FolderHierarchy.folderSync, children: [
            .element(page: page, tag: WBXML.FolderHierarchy.syncKey, children: [.text("0")]),
        ])
        let bytes = WBXML.encode(document)
        // Header, SWITCH_PAGE 7, FolderSync with content (0x56), SyncKey with content (0x52), STR_I "0", END, END.
        #expect(bytes == [0x03, 0x01, 0x6A, 0x00, 0x00, 0x07, 0x56, 0x52, 0x03, 0x30, 0x00, 0x01, 0x01])
        #expect(try WBXML.decode(bytes) == document)
        #expect(try WBXML.decode(bytes).firstText(page: page, tag: WBXML.FolderHierarchy.syncKey) == "0")
    }

    @Test func wbxmlRefusesHostileInput() {
        #expect(throws: WBXML.DecodeError.self) { try WBXML.decode([0x03, 0x01, 0x6A, 0x00, 0x56]) }  // ends inside an element
        #expect(throws: WBXML.DecodeError.self) { try WBXML.decode([0x02, 0x01]) }
        #expect(throws: WBXML.DecodeError.self) { try WBXML.decode([0x03, 0x01, 0x6A, 0x00] + Array(repeating: 0x56, count: 100)) }
        #expect(throws: WBXML.DecodeError.self) { try WBXML.decode([0x03, 0x01, 0x6A, 0x00, 0xC6, 0x01]) }  // attributes
    }

    @Test func mapiResponseFramingIsRead() throws {
        let body = MAPIHTTP.connectResponseBody(displayName: "Alice", dnPrefix: "/o=Lab")
        let bytes = Array("PROCESSING\r\nPENDING\r\nPENDING\r\nDONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: 12\r\n\r\n".utf8) + body
        let framed = try MAPIHTTP.unframe(bytes)
        #expect(framed.metaTags == ["PROCESSING", "PENDING", "PENDING", "DONE"])
        #expect(framed.header("x-responsecode") == "0")
        #expect(framed.body == body)
        let connect = try MAPIHTTP.parseConnectResponse(framed.body)
        #expect(connect.statusCode == 0)
        #expect(connect.displayName == "Alice")
    }

    @Test func mapiFramingErrorsNameTheProblem() {
        #expect(throws: MAPIHTTP.FramingError.self) { try MAPIHTTP.unframe(Array("<html>error</html>".utf8)) }
        #expect(throws: MAPIHTTP.FramingError.self) { try MAPIHTTP.unframe(Array("PROCESSING\r\nPENDING\r\n".utf8)) }
        #expect(throws: MAPIHTTP.FramingError.self) { try MAPIHTTP.parseConnectResponse([0, 0]) }
        #expect((try? MAPIHTTP.parseConnectResponse([5, 0, 0, 0, 0, 0, 0, 0]))?.statusCode == 5)
    }

    @Test func connectRequestBodyHasTheSpecFields() {
        let body = MAPIHTTP.connectRequestBody(userDN: "/o=Lab/cn=alice")
        #expect(body.count == "/o=Lab/cn=alice".utf8.count + 1 + 20)
        #expect(body["/o=Lab/cn=alice".utf8.count] == 0)
        #expect(Array(body.suffix(20).prefix(8)) == [0, 0, 0, 0, 0xE4, 0x04, 0, 0])  // Flags 0, code page 1252
    }
}
