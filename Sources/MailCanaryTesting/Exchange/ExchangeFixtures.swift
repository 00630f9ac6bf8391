/// Response bodies taken from the specifications' own examples, with the test server's names
/// substituted. Kept verbatim in shape (element order, namespaces) so that a probe that parses
/// them parses what Exchange sends.
public enum ExchangeFixtures {
    /// The anonymous challenge of Exchange Online's front end (shared/reference §3.5 and §3.9:
    /// an EWS trace from outlook.office365.com; Microsoft's hybrid modern-auth doc for EAS).
    public static let bearerChallenge = #"Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize""#

    /// POX Autodiscover request (office-developer-exchange-docs, pox-autodiscover-request-for-exchange.md),
    /// with the `http://` namespaces of [MS-OXDSCLI].
    public static func poxRequest(email: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
          <Request>
            <EMailAddress>\(email)</EMailAddress>
            <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
          </Request>
        </Autodiscover>
        """
    }

    /// POX Autodiscover response ([MS-OXDSCLI] §2.2.4; the POX response example of the Exchange
    /// docs): User, Account with EXCH and EXPR protocols, and with `X-MapiHttpCapability: 1` the
    /// `<Protocol Type="mapiHttp" Version="1">` element carrying the MAPI endpoints.
    public static func poxResponse(email: String, displayName: String, legacyDN: String, host: String, mapiHTTP: Bool) -> String {
        let mailboxID = "8ad1fb7f-12e4-4a4d-9c3d-3c4a4d1b7a11@contoso.test"
        let urls = { (url: String) in "<InternalUrl>\(url)</InternalUrl><ExternalUrl>\(url)</ExternalUrl>" }
        let mapi = mapiHTTP ? """
              <Protocol Type="mapiHttp" Version="1">
                <MailStore>\(urls("https://\(host)/mapi/emsmdb/?MailboxId=\(mailboxID)"))</MailStore>
                <AddressBook>\(urls("https://\(host)/mapi/nspi/?MailboxId=\(mailboxID)"))</AddressBook>
              </Protocol>

        """ : ""
        return autodiscover("""
            <User>
              <DisplayName>\(displayName)</DisplayName>
              <LegacyDN>\(legacyDN)</LegacyDN>
              <AutoDiscoverSMTPAddress>\(email)</AutoDiscoverSMTPAddress>
              <DeploymentId>644560b8-a1ce-429c-8ace-23395843f701</DeploymentId>
            </User>
            <Account>
              <AccountType>email</AccountType>
              <Action>settings</Action>
              <MicrosoftOnline>False</MicrosoftOnline>
        \(mapi)      <Protocol>
                <Type>EXCH</Type>
                <Server>\(mailboxID)</Server>
                <ASUrl>https://\(host)/EWS/Exchange.asmx</ASUrl>
                <EwsUrl>https://\(host)/EWS/Exchange.asmx</EwsUrl>
                <OOFUrl>https://\(host)/EWS/Exchange.asmx</OOFUrl>
                <OABUrl>https://\(host)/OAB/</OABUrl>
              </Protocol>
              <Protocol>
                <Type>EXPR</Type>
                <Server>\(host)</Server>
                <SSL>On</SSL>
                <AuthPackage>Basic</AuthPackage>
                <EwsUrl>https://\(host)/EWS/Exchange.asmx</EwsUrl>
              </Protocol>
              <Protocol>
                <Type>WEB</Type>
                <Internal>
                  <OWAUrl AuthenticationMethod="Basic, Fba">https://\(host)/owa/</OWAUrl>
                </Internal>
              </Protocol>
            </Account>
        """)
    }

    /// POX redirect ([MS-OXDSCLI] §2.2.4.1.1.2.2 Action `redirectUrl` / `redirectAddr`).
    public static func poxRedirect(action: String, value: String) -> String {
        let element = action == "redirectUrl" ? "RedirectUrl" : "RedirectAddr"
        return autodiscover("""
            <Account>
              <Action>\(action)</Action>
              <\(element)>\(value)</\(element)>
            </Account>
        """)
    }

    /// POX error response ([MS-OXDSCLI] §2.2.4.1.1.1 Error element).
    public static func poxError(code: Int, message: String) -> String {
        autodiscover("""
            <Error Time="16:54:52.6875000" Id="1054084152">
              <ErrorCode>\(code)</ErrorCode>
              <Message>\(message)</Message>
              <DebugData />
            </Error>
        """)
    }

    /// The POX response envelope ([MS-OXDSCLI] §2.2.4) around `body`.
    static func autodiscover(_ body: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
          <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
        \(body)
          </Response>
        </Autodiscover>
        """
    }

    /// EWS GetFolder response (office-developer-exchange-docs, getfolder-operation.md, the
    /// successful response example), with the inbox's counts.
    public static func getFolderResponse(total: Int, unread: Int) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
          <s:Header>
            <h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="8655" MinorBuildNumber="21"
                                 xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"
                                 xmlns="http://schemas.microsoft.com/exchange/services/2006/types"
                                 xmlns:xsd="http://www.w3.org/2001/XMLSchema"
                                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />
          </s:Header>
          <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
            <m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                                 xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
              <m:ResponseMessages>
                <m:GetFolderResponseMessage ResponseClass="Success">
                  <m:ResponseCode>NoError</m:ResponseCode>
                  <m:Folders>
                    <t:Folder>
                      <t:FolderId Id="AAAlAFVzZXIx" ChangeKey="AQAAAA3vcw==" />
                      <t:DisplayName>Inbox</t:DisplayName>
                      <t:TotalCount>\(total)</t:TotalCount>
                      <t:ChildFolderCount>0</t:ChildFolderCount>
                      <t:UnreadCount>\(unread)</t:UnreadCount>
                    </t:Folder>
                  </m:Folders>
                </m:GetFolderResponseMessage>
              </m:ResponseMessages>
            </m:GetFolderResponse>
          </s:Body>
        </s:Envelope>
        """
    }

    /// An EWS error inside a 200 response (ResponseMessage element: ResponseClass="Error",
    /// `MessageText`, `ResponseCode`), as Exchange sends `ErrorServerBusy` with a back-off hint.
    public static func getFolderError(code: String, text: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
          <s:Body>
            <m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                                 xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
              <m:ResponseMessages>
                <m:GetFolderResponseMessage ResponseClass="Error">
                  <m:MessageText>\(text)</m:MessageText>
                  <m:ResponseCode>\(code)</m:ResponseCode>
                  <m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>
                  <m:MessageXml>
                    <t:Value Name="BackOffMilliseconds">30000</t:Value>
                  </m:MessageXml>
                </m:GetFolderResponseMessage>
              </m:ResponseMessages>
            </m:GetFolderResponse>
          </s:Body>
        </s:Envelope>
        """
    }

    /// The Outlook on the web sign-in page, reduced: a form posting to `auth.owa` with
    /// `username` and `password` fields, as Exchange's forms-based authentication renders it.
    public static let owaSignInPage = """
    <!DOCTYPE html>
    <html><head><title>Outlook</title><meta http-equiv="X-UA-Compatible" content="IE=10"></head>
    <body><form action="/owa/auth.owa" method="POST" name="logonForm" autocomplete="off">
    <input id="username" name="username" type="text"><input id="password" name="password" type="password">
    <input type="hidden" name="destination" value="/owa/"><div class="signInEnter">sign in</div>
    </form></body></html>
    """
}
