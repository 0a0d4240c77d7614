// The vendor's Go example (Authentication API page), net/http.
// Changed from the page only in where the URL and key come from (the environment),
// plus a check after the vendor's Println so that a wrong answer fails the run.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/http"
	"os"
)

func main() {
	url := os.Getenv("INSPEKT_BASE_URL") + "/api/authenticate"
	payload := []byte(`{"key":"` + os.Getenv("INSPEKT_API_KEY") + `","client_id":"inspekt-examples"}`)

	req, _ := http.NewRequest("POST", url, bytes.NewBuffer(payload))
	req.Header.Set("Content-Type", "application/json")

	client := &http.Client{}
	resp, _ := client.Do(req)
	defer resp.Body.Close()

	body, _ := ioutil.ReadAll(resp.Body)
	fmt.Println(string(body))

	// Added: exit non-zero unless 200 with the three documented string fields.
	var data map[string]interface{}
	_ = json.Unmarshal(body, &data)
	for _, field := range []string{"session", "access_token", "refresh_token"} {
		if _, isString := data[field].(string); resp.StatusCode != 200 || !isString {
			fmt.Fprintf(os.Stderr, "expected 200 with %s as a string; got %d\n", field, resp.StatusCode)
			os.Exit(1)
		}
	}
}
