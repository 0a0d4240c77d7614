// The vendor's Java 11+ example (Authentication API page), java.net.http.HttpClient.
// Changed from the page only in where the URL and key come from (the environment),
// plus a check after the vendor's println so that a wrong answer fails the run.
import java.net.http.*;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

public class AuthExample {
    public static void main(String[] args) throws Exception {
        String url = System.getenv("INSPEKT_BASE_URL") + "/api/authenticate";
        String key = System.getenv("INSPEKT_API_KEY");
        String json = "{\"key\":\"" + key + "\",\"client_id\":\"inspekt-examples\"}";

        HttpRequest request = HttpRequest.newBuilder()
            .uri(new URI(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
            .build();

        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.body());

        // Added: exit non-zero unless 200 with the three documented string fields.
        // The JDK has no JSON parser, so each field is matched as "name": "<string>".
        for (String field : new String[] {"session", "access_token", "refresh_token"}) {
            Pattern stringField = Pattern.compile("\"" + field + "\"\\s*:\\s*\"");
            if (response.statusCode() != 200 || !stringField.matcher(response.body()).find()) {
                System.err.println("expected 200 with " + field + " as a string; got " + response.statusCode());
                System.exit(1);
            }
        }
    }
}
