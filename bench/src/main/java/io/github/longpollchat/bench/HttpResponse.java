package io.github.longpollchat.bench;

import java.util.List;

/** A response as the load generator sees it: status, headers (names in lower case), body. */
record HttpResponse(int status, List<String[]> headers, byte[] body) {
    String header(String lowerCaseName) {
        for (String[] header : headers) {
            if (header[0].equals(lowerCaseName)) {
                return header[1];
            }
        }
        return null;
    }
}
