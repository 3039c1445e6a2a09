package io.latentqa.dataset.generate;

import java.net.URI;
import java.net.URISyntaxException;

import io.latentqa.dataset.job.InvalidParamsException;

/** Checks an endpoint URL given in job params. */
final class LlmUrls {

    private LlmUrls() {
    }

    static URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(url, "not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidParamsException("params.baseUrl must be an http(s) URL up to and including /v1, e.g."
                    + " https://api.openai.com/v1; got '" + url + "'");
        }
    }
}
