package com.example.hello;

public class HelloActivitiesImpl implements HelloActivities {

    @Override
    public String composeGreeting(String greeting, String name) {
        return greeting + ", " + name + "!";
    }
}
